export const TYPE_ACTIVITE_OPTIONS = [
  { label: 'Évènement', value: 'Evenement' },
  { label: 'Partenariat', value: 'Partenariat' },
  { label: 'Animation', value: 'Animation' },
]
