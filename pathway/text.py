"""Text as people type it and as it is searched."""

import unicodedata

# Letters NFKD does not split into a base letter and an accent.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})


def normalise(text):
    """Lower-case ASCII words separated by single spaces: "Lefèvre-Œuvrard" → "lefevre oeuvrard".

    Names are stored and searched in this form, so that accents, capitals and hyphens never
    decide whether a resident is found (nor an actor or a place in an imported file)."""
    text = unicodedata.normalize("NFKD", (text or "").lower().translate(LIGATURES))
    ascii_text = text.encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in ascii_text).split())
