"""Where the CSP / SPP / transformer-block family's definitions come from (forks at a commit,
the file defining the module, the paper it follows) and where their torch blocks live."""
from __future__ import annotations

from ..registry import Provenance
from .sources import YOLOAIR_AT, YOLOY_AT

SWIN_PAPER = "Liu et al., Swin Transformer: Hierarchical Vision Transformer using Shifted Windows, ICCV 2021"
YOLOV8_PAPER = "Jocher et al., Ultralytics YOLOv8 (C2f), 2023; Wang et al., CSPNet, CVPRW 2020"
GSCONV_PAPER = "Li et al., Slim-neck by GSConv: A lightweight-design for real-time detector architectures, " \
               "J. Real-Time Image Processing 2024"
YOLOV7_PAPER = "Wang et al., YOLOv7: Trainable bag-of-freebies sets new state-of-the-art for real-time object " \
               "detectors, CVPR 2023"

C3STR_SILU = Provenance("arandinglv/RDD-YOLOv5@c4f2c8db18ca", "models/common.py", SWIN_PAPER)
C3STR_GELU = Provenance("LYMDLUT/yolov5-swin@404e48e8298d", "models/SwinTransformer.py", SWIN_PAPER)
C3STR_RASTER = Provenance("object9detection/RFENet@f405a2b00ee7", "models/common.py", SWIN_PAPER)
SWIN_STAGE = Provenance("ajianjalil/drone-detect-benchmark@d3bfc93df54d", "models/swintransformer.py", SWIN_PAPER)
C2F_CSP = Provenance("positive666/yolo_research@f5795f27a56c", "models/common.py", YOLOV8_PAPER)
C2F_CONV = Provenance("dccdcc7/passenger-head-detection-based-on-yolov5@f8554de3f503", "models/common.py",
                      YOLOV8_PAPER)
C2F_S_SRC = Provenance("dccdcc7/passenger-head-detection-based-on-yolov5@f8554de3f503", "models/common.py",
                       "Li et al., SCConv: Spatial and Channel Reconstruction Convolution for Feature Redundancy, "
                       "CVPR 2023")
SLIMNECK = Provenance("ScottDu404/Yolov5_ShuffleNetV2@aa54814934c2", "models/common.py", GSCONV_PAPER)
SLIMNECK_MISH = Provenance(YOLOAIR_AT, "models/Models/slimneck.py", GSCONV_PAPER)
SLIMNECK_PLEB = Provenance("pleb631/yolov5-advanced@d546f6329134", "models/extra_module/models/GSConv.py", GSCONV_PAPER)
SPPCSPC_SRC = Provenance(YOLOAIR_AT, "models/common.py", YOLOV7_PAPER)
SPPCSPC_NARROW = Provenance("pleb631/yolov5-advanced@d546f6329134", "models/extra_module/models/yolov7.py", YOLOV7_PAPER)

SIMSPPF_SRC = Provenance("zhang-dut/yolov5-parts@c641bf3724c5", "models/common.py",
                         "Li et al., YOLOv6: A Single-Stage Object Detection Framework for Industrial Applications, 2022")
ASPP_SRC = Provenance("zhang-dut/yolov5-parts@c641bf3724c5", "models/common.py",
                      "Chen et al., Rethinking Atrous Convolution for Semantic Image Segmentation (DeepLabv3), 2017")
RFB_SRC = Provenance("pleb631/yolov5-advanced@d546f6329134", "models/extra_module/block.py",
                     "Liu et al., Receptive Field Block Net for Accurate and Fast Object Detection, ECCV 2018")

FEM_SRC = Provenance("oYoYo-jio/IRSTD-yolov5@4c616816e419", "models/common.py",
                     "Zhang et al., FFCA-YOLO for Small Object Detection in Remote Sensing Images, IEEE TGRS 2024")
V7_SRC = Provenance("positive666/yolo_research@f5795f27a56c", "models/common.py", YOLOV7_PAPER)
SCALED_PAPER = "Wang et al., Scaled-YOLOv4: Scaling Cross Stage Partial Network, CVPR 2021"
CSP_K3 = Provenance("positive666/yolo_research@f5795f27a56c", "models/common.py", SCALED_PAPER)
CSP_K1 = Provenance(YOLOY_AT, "models/common.py", SCALED_PAPER)
COT_SRC = Provenance("Tao-GCPD/Underwater-rescue-target-detection-based-on-acoustic-image@c505269d0775",
                     "models/common.py", "Li et al., Contextual Transformer Networks for Visual Recognition, TPAMI 2022")
COT_SILU = Provenance(YOLOY_AT, "models/common.py",
                      "Li et al., Contextual Transformer Networks for Visual Recognition, TPAMI 2022")
INVOLUTION_PAPER = "Li et al., Involution: Inverting the Inherence of Convolution for Visual Recognition, CVPR 2021"
INVOLUTION_DIRECT = Provenance("raoufslv/yolov5_fire_detection@c75cb6837083", "models/common.py", INVOLUTION_PAPER)
INVOLUTION_REDUCED = Provenance(YOLOAIR_AT, "models/Models/research.py", INVOLUTION_PAPER)
C3VIT_SRC = Provenance("QyTnT/MDUA-YOLO@25ac3caac78d", "models/common.py",
                       "Hou et al., Coordinate Attention for Efficient Mobile Network Design, CVPR 2021")
MCSPMLP_SRC = Provenance("object9detection/RFENet@f405a2b00ee7", "models/common.py",
                         "Yu et al., MetaFormer Is Actually What You Need for Vision, CVPR 2022 (PoolFormer MLP)")
ODCONV_SRC = Provenance("hduwujing/YOLOv5s_final@bb27eeb8a175", "models/common.py",
                        "Li et al., Omni-Dimensional Dynamic Convolution, ICLR 2022")
CFP_PAPER = "Quan et al., Centralized Feature Pyramid for Object Detection, IEEE TIP 2023"
EVC_WRITTEN = Provenance("arandinglv/RDD-YOLOv5@c4f2c8db18ca", "models/cfp.py", CFP_PAPER)
EVC_CONV = Provenance("Tao-GCPD/Underwater-rescue-target-detection-based-on-acoustic-image@c505269d0775",
                      "models/cfp.py", CFP_PAPER)

SWIN_BLOCKS = "yanalyze.verify.cspx_blocks_swin"
CSPX_BLOCKS = "yanalyze.verify.cspx_blocks"
CSPX_SPP = "yanalyze.verify.cspx_blocks_spp"
CSPX_EVC = "yanalyze.verify.cspx_blocks_evc"
CSPX_V7 = "yanalyze.verify.cspx_blocks_v7"
CSPX_COT = "yanalyze.verify.cspx_blocks_cot"
CSPX_ATTN = "yanalyze.verify.cspx_blocks_attn"
