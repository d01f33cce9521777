"""Benchmarks for Orchestra Lab, run with `python -m bench [NAME ...]` (`make bench`); they print Markdown tables.

Each benchmark is a sibling module of this package with a `NAME`, a `TITLE`, an `available()` check and a
`main(argv)` entry point; `bench/__main__.py` lists them in `BENCHMARKS`. `bench/README.md` explains every table.
"""
