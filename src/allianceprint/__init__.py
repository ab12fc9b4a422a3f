"""allianceprint: edited volumes from a folder of Markdown to a print PDF and an EPUB 3.

The pipeline, one module per stage:

    config   book.toml                      -> BookConfig
    loader   manuscript folder + BookConfig -> Book (parts, contributors, abbreviations)
    render   Book                           -> RenderedBook (HTML per part, notes, contents)
    writers  RenderedBook                   -> book.pdf (writers.pieces: laid out in pieces,
                                               in parallel, cached, merged by writers.pdfmerge;
                                               or writers.pdf: one document; both compose
                                               writers.printhtml), book.epub
                                               (writers.epub)
    stamp    manuscript + options           -> whether the last build is still current
    build    runs the stages, writes outputs atomically
    watch    rebuilds on every save
    cli      the `allianceprint` command
"""

__version__ = "0.1.0"
