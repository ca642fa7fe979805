"""What a file is, told from its first bytes (never from the name or the type the client declares)."""

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def sniff(content: bytes) -> str | None:
    """Return the content type the bytes begin with, or None when they match no type we accept."""
    return next((kind for magic, kind in SIGNATURES if content.startswith(magic)), None)
