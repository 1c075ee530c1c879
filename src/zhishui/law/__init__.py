"""Tax law as code: dated, cited parameters (``parameters/``), calculators that return amounts with
a line-by-line breakdown (``calculators/``, ``registry``), what-if overlays, a NumPy batch engine
(``batch``) and JSON functions for the CLI and API (``interface``). Pure Python: no Django here.
"""
