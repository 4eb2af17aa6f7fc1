"""Registry cases of EA and EC (analyzer/modules/attention_external.py)."""

CASES = {
    "EA": [([16, 16], [(16, 6, 5)]), ([32, 32], [(32, 4, 4)])],
    "EC": [([16, 16], [(16, 8, 6)]), ([16, 32], [(16, 4, 4)])],
}
