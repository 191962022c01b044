"""The checks the issue names: qpdf for structure, pdftotext for what a reader sees."""

import subprocess
import tempfile
from pathlib import Path


def qpdf_check(content: bytes) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(content)
        return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def assert_valid_pdf(content: bytes) -> None:
    assert content.startswith(b"%PDF-")
    check = qpdf_check(content)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout
