"""allianceprint: edited volumes from a folder of Markdown to a print PDF and an EPUB 3.

The pipeline, one module per stage:

    config   book.toml                      -> BookConfig
    loader   manuscript folder + BookConfig -> Book (parts, contributors, abbreviations)
    render   Book                           -> RenderedBook (HTML per part, notes, contents)
    writers  RenderedBook                   -> book.pdf (writers.pdf), book.epub (writers.epub)
    build    runs the stages, writes outputs atomically
    cli      the `allianceprint` command
"""

__version__ = "0.1.0"
