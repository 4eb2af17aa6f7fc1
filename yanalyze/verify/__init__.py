"""Numerical verification with torch: the only part of yanalyze that imports it (lazily).

Install with `pip install 'yanalyze[verify]'`.
"""
