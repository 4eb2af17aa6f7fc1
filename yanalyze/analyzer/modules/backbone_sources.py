"""Where the backbone-kit definitions come from: the published YOLOv5 forks (at the commit read)
that define ShuffleNet, MobileNet, YOLOv5-Lite, YOLO5Face, DenseNet/ResNet/DPN and ELAN-style
blocks, and the torch reference files that restate them."""
from __future__ import annotations

from ..registry import Provenance
from .sources import YOLOAIR_AT

SHUFFLENETV2 = "Ma et al., ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design, ECCV 2018"
MOBILENETV2 = "Sandler et al., MobileNetV2: Inverted Residuals and Linear Bottlenecks, CVPR 2018"
MOBILENETV3 = "Howard et al., Searching for MobileNetV3, ICCV 2019"

TP_THREAD = Provenance("TP-Thread/yolov5@193cd921697a", "models/common.py", SHUFFLENETV2)
TP_MOBILENETV3 = Provenance("TP-Thread/yolov5@193cd921697a", "models/common.py", MOBILENETV3)
LITE = "ppogg/YOLOv5-Lite@9d649a64f829"
LITE_SHUFFLE = Provenance(LITE, "models/common.py", SHUFFLENETV2)
LITE_ES = Provenance(LITE, "models/common.py",
                     "Yu et al., PP-PicoDet: A Better Real-Time Object Detector on Mobile Devices, arXiv 2021")
LITE_LCNET = Provenance(LITE, "models/common.py",
                        "Cui et al., PP-LCNet: A Lightweight CPU Convolutional Neural Network, arXiv 2021")
LITE_DW = Provenance(LITE, "models/common.py", "Howard et al., MobileNets: Efficient Convolutional Neural "
                                               "Networks for Mobile Vision Applications, arXiv 2017")
LITE_ADD = Provenance(LITE, "models/common.py", "no paper: the YOLOv5-Lite project (ppogg, 2021)")
SCOTT = Provenance("ScottDu404/Yolov5_ShuffleNetV2@aa54814934c2", "models/common.py", SHUFFLENETV2)
SCOTT_SPD = Provenance("ScottDu404/Yolov5_ShuffleNetV2@aa54814934c2", "models/common.py",
                       "Sunkara and Luo, No More Strided Convolutions or Pooling: A New CNN Building Block for "
                       "Low-Resolution Images and Small Objects, ECML PKDD 2022")
LMSD = "GY-monkey/LMSD-YOLO@34cafd716fa2"
LMSD_MOBILE = Provenance(LMSD, "models/common.py", MOBILENETV3)
LMSD_SHUFFLE = Provenance(LMSD, "models/common.py", SHUFFLENETV2)
MLCA_V2 = Provenance("wandahangFY/MLCA@afbeb47a0f14", "models/common.py", MOBILENETV2)
SHWD_V2 = Provenance("neuralchip-lxy/SHWD_mobilenetv2-and-YOLOv5@257e73a01549", "yolov5-master/models/common.py",
                     MOBILENETV2)
TAO = "Tao-GCPD/Underwater-rescue-target-detection-based-on-acoustic-image@c505269d0775"
TAO_SHUFFLE = Provenance(TAO, "models/common.py", SHUFFLENETV2)
TAO_CONV = Provenance(TAO, "models/common.py", "no paper: the fork's underwater acoustic-image detector")
FACE = "deepcam-cn/yolov5-face@84ef013381e3"
FACE_PAPER = "Qi et al., YOLO5Face: Why Reinventing a Face Detector, ECCV Workshops 2022"
FACE_BLOCKS = Provenance(FACE, "models/common.py", FACE_PAPER)
FACE_BLAZE = Provenance(FACE, "models/common.py", "Bazarevsky et al., BlazeFace: Sub-millisecond Neural Face "
                                                  "Detection on Mobile GPUs, CVPR Workshops 2019")
ABENJU = "abenju/Scale-invariance-in-object-detection@122b1513b4bb"
DENSENET = Provenance(ABENJU, "models/experimental.py",
                      "Huang et al., Densely Connected Convolutional Networks, CVPR 2017")
RESNET = Provenance(ABENJU, "models/experimental.py", "He et al., Deep Residual Learning for Image Recognition, "
                                                      "CVPR 2016")
WEIGHTED_SUM = Provenance(ABENJU, "models/experimental.py",
                          "Tan et al., EfficientDet: Scalable and Efficient Object Detection, CVPR 2020")
DPN = Provenance("laoresh/yolov5@1ed4a995d539", "models/common.py", "Chen et al., Dual Path Networks, NeurIPS 2017")
PMSA = Provenance("saneptx/PMSA-YOLO@9c888a01aa75", "models/common.py",
                  "ELAN-style aggregation after Wang et al., YOLOv7: Trainable bag-of-freebies sets new "
                  "state-of-the-art for real-time object detectors, CVPR 2023")
YOLOAIR = Provenance(YOLOAIR_AT, "models/Models/yolovii.py",
                     "stem after Wang et al., Pelee: A Real-Time Object Detection System on Mobile Devices, "
                     "NeurIPS 2018")

BLOCKS = "yanalyze.verify.backbone_blocks"
MISC_BLOCKS = "yanalyze.verify.backbone_blocks_misc"
