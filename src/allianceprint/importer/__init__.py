"""`allianceprint import`: contributors' Word files (.docx) -> parts of a manuscript.

Stages, one module each: `package` (the .docx read safely -> DocxPackage), `reader`
(DocxPackage -> Document, the typed model of `document`), `markdown` (Document ->
ImportedPart: the part's Markdown and images) and `manuscript` (ImportedParts -> files in
the manuscript folder and entries in `book.toml`'s `[contents]`, all staged in memory and
moved into place only when every file has been read).
"""

from allianceprint.importer.manuscript import ImportOptions, import_files, run_import

__all__ = ["ImportOptions", "import_files", "run_import"]
