"""Numerical verification with torch: the only part of yanalyze that imports it (lazily).

Install torch with the `verify` extra: `pip install -e '.[verify]'` in yanalyze's checkout.
"""
