"""The letter gallery: every legal pack × policy step × language as e-mail text and PDF."""
