"""Secret links and keys (a resident's link, API keys, a sign-up's cancel link, team and
ambassador invitations, statistics share links): a random token shown once to its owner,
of which only the SHA-256 is stored and looked up."""

import hashlib
import secrets


def new_token(nbytes=24):
    """A random token for a URL (about 1.3 characters a byte)."""
    return secrets.token_urlsafe(nbytes)


def hashed(token):
    """What is stored of a token (its SHA-256), and looked up when it comes back."""
    return hashlib.sha256(token.encode()).hexdigest()
