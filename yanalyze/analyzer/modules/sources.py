"""Where the built-in definitions come from (every entry names one)."""
from __future__ import annotations

from ..registry import Provenance

YOLOV5 = "Ultralytics YOLOv5 v7.0"
# forks read at one commit each, named once (several families take modules from them)
YOLOAIR_AT = "iscyy/yoloair@29a8465385ea"
YOLOY_AT = "a875560134/yoloY@1db9cea1075f"
GUMPEST_AT = "Gumpest/YOLOv5-Multibackbone-Compression@6d7f71596c4a"

COMMON = Provenance(YOLOV5, "models/common.py")
EXPERIMENTAL = Provenance(YOLOV5, "models/experimental.py")
YOLO = Provenance(YOLOV5, "models/yolo.py")
TORCH = Provenance("PyTorch torch.nn", "torch/nn/modules")
FASTERNET = Provenance("HaohuaZu/PD-FasterYOLO@f7b822a4bc85", "models/common.py",
                       "Chen et al., Run, Don't Walk: Chasing Higher FLOPS for Faster Neural Networks, CVPR 2023")
MOBILENETV3 = Provenance("TP-Thread/yolov5@193cd921697a", "models/common.py",
                         "Howard et al., Searching for MobileNetV3, ICCV 2019")
FOCALNET = Provenance("pleb631/yolov5-advanced@d546f6329134", "models/extra_module/block.py",
                      "Yang et al., Focal Modulation Networks, NeurIPS 2022")

BLOCKS = "yanalyze.verify.blocks"
HEADS = "yanalyze.verify.head_blocks"
TRANSFORMER = "yanalyze.verify.transformer_blocks"
CUSTOM = "yanalyze.verify.custom_blocks"
