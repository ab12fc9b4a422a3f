"""The built-in house style: print/ for the PDF, epub/ for the EPUB.

This folder is installed as the package `allianceprint.styles` (see pyproject.toml), so
that a wheel, pipx or an editable install all find it the same way; this file is what makes
it a package. It is not part of a house style: `allianceprint styles export` leaves it out.
"""
