from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEDIA_DIR = Path(__file__).resolve().parent / "media"
