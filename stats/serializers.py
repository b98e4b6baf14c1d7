"""What the API shows of the statistics: the dashboard's tables, their cells already
protected (stats.disclosure)."""

from rest_framework import serializers


class StatsFigureSerializer(serializers.Serializer):
    text = serializers.CharField(
        help_text="Le chiffre tel que la page l'écrit (« < 5 », « masqué », « 12,5 % »…)."
    )
    value = serializers.JSONField(
        allow_null=True,
        help_text="Le nombre (ou le libellé) ; null quand le chiffre est caché.",
    )
    hidden = serializers.BooleanField(help_text="Caché pour protéger un petit nombre de personnes.")


class StatsCellSerializer(StatsFigureSerializer):
    parts = StatsFigureSerializer(
        many=True, help_text="Les chiffres d'une cellule double (voir part_labels du tableau)."
    )


class StatsRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    total = serializers.BooleanField(help_text="Ligne de total.")
    cells = StatsCellSerializer(many=True, help_text="Une cellule par colonne.")


class StatsTableSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="Nom court du tableau (paramètre table).")
    title = serializers.CharField()
    label_header = serializers.CharField(help_text="En-tête de la colonne des libellés.")
    columns = serializers.ListField(child=serializers.CharField())
    part_labels = serializers.ListField(
        child=serializers.CharField(), help_text="Noms des chiffres d'une cellule double."
    )
    note = serializers.CharField(help_text="Ce qu'il faut savoir pour lire le tableau.")
    rows = StatsRowSerializer(many=True)


class StatsFilterSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.CharField()


class StatsReportSerializer(serializers.Serializer):
    period_start = serializers.DateField(help_text="Premier mois de la période.")
    period_end = serializers.DateField(help_text="Dernier mois de la période (compris).")
    filters = StatsFilterSerializer(many=True, help_text="Les filtres appliqués, en mots.")
    min_count = serializers.IntegerField(
        help_text="En dessous de ce nombre de personnes, un chiffre est caché."
    )
    privacy_rule = serializers.CharField()
    tables = StatsTableSerializer(many=True)
