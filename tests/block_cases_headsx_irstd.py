"""Registry cases of IRSTD-yolov5's attention_model (analyzer/modules/necks_irstd.py)."""

CASES = {
    "attention_model": [([32], [(32, 6, 5), (32, 6, 5)]), ([128], [(128, 4, 4), (128, 4, 4)])],
}
