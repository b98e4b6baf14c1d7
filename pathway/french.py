"""French grammar for the names the network writes into sentences: "auprès de l'Espace
emploi municipal", "de la Médiathèque", "du Centre social", "par le CCAS", "d'Alpha
Provence", "des Ateliers du Partage", "de France services".

An actor's name has no article of its own in the records ("Médiathèque intercommunale"),
and French needs one before most of them, contracted with "de" and "à" and elided before
a vowel. The article is that of the common noun the name starts with (a médiathèque, un
centre social, une école); a name that starts with none of these nouns is a proper name
(France services, Seniors connectés 13) and takes no article."""

import re

# The article of the common nouns structures' names start with ("l'" before a vowel).
ARTICLES = {
    # feminine
    "bibliothèque": "la",
    "boutique": "la",
    "caf": "la",
    "caisse": "la",
    "communauté": "la",
    "croix-rouge": "la",
    "cyber-base": "la",
    "cyberbase": "la",
    "délégation": "la",
    "direction": "la",
    "fédération": "la",
    "fondation": "la",
    "halle": "la",
    "ludothèque": "la",
    "mairie": "la",
    "maison": "la",
    "médiathèque": "la",
    "métropole": "la",
    "micro-folie": "la",
    "mission": "la",
    "mjc": "la",
    "permanence": "la",
    "plateforme": "la",
    "recyclerie": "la",
    "régie": "la",
    "résidence": "la",
    "ressourcerie": "la",
    "salle": "la",
    "ville": "la",
    # masculine
    "bureau": "le",
    "café": "le",
    "ccas": "le",
    "centre": "le",
    "cias": "le",
    "cinéma": "le",
    "club": "le",
    "collège": "le",
    "comité": "le",
    "conseil": "le",
    "conservatoire": "le",
    "département": "le",
    "fab lab": "le",
    "fablab": "le",
    "foyer": "le",
    "lieu": "le",
    "local": "le",
    "lycée": "le",
    "musée": "le",
    "point": "le",
    "pôle": "le",
    "relais": "le",
    "repair café": "le",
    "réseau": "le",
    "secours": "le",
    "service": "le",
    "studio": "le",
    "théâtre": "le",
    "tiers-lieu": "le",
    # before a vowel
    "accueil": "l'",
    "agence": "l'",
    "amicale": "l'",
    "antenne": "l'",
    "association": "l'",
    "atelier": "l'",
    "école": "l'",
    "épicerie": "l'",
    "espace": "l'",
    "établissement": "l'",
    "institut": "l'",
    "office": "l'",
    "union": "l'",
    # plural
    "ateliers": "les",
    "compagnons": "les",
    "restos": "les",
}
OWN_ARTICLE = re.compile(r"^(?:(les|le|la)\s+|(l['’])\s*)(?=\S)", re.IGNORECASE)
VOWEL = re.compile(r"^[aeiouyàâäéèêëîïôöûùüœæ]", re.IGNORECASE)
CONTRACTED = {
    "de": {"le": "du", "les": "des"},
    "à": {"le": "au", "les": "aux"},
}


def article_of(name):
    """(article, rest of the name): "Les Ateliers du Partage" → ("les", "Ateliers du
    Partage"), "Médiathèque de Miramas" → ("la", "Médiathèque de Miramas"), a proper name
    → ("", name)."""
    name = name.strip()
    if match := OWN_ARTICLE.match(name):
        article = (match.group(1) or match.group(2)).lower().replace("’", "'")
        return article, name[match.end() :]
    words = name.lower().split()
    for size in (2, 1):  # "repair café" before "café"
        if len(words) >= size and (article := ARTICLES.get(" ".join(words[:size]))):
            return article, name
    return "", name


def with_preposition(preposition, name):
    """`name` after a French preposition, with its article, contracted and elided:
    ("auprès de", "Espace emploi municipal") → "auprès de l'Espace emploi municipal",
    ("de", "Centre social") → "du Centre social", ("à", "Les Ateliers") → "aux Ateliers",
    ("de", "Alpha Provence") → "d'Alpha Provence", ("par", "CCAS") → "par le CCAS"."""
    article, rest = article_of(name)
    *before, last = preposition.split()
    if article in CONTRACTED.get(last, {}):
        last, article = CONTRACTED[last][article], ""
    elif not article and last == "de" and VOWEL.match(rest):
        return " ".join([*before, f"d'{rest}"])
    words = [*before, last]
    if article == "l'":
        words.append(f"l'{rest}")
    else:
        words += [article, rest] if article else [rest]
    return " ".join(words)
