"""Writers: `RenderedBook` -> a file. `pdf` and `epub` never import each other."""
