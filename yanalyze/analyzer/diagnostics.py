"""The catalogue of coded diagnostics, as pyflakes keeps its messages: one entry per code.

Every warning and error yanalyze emits carries one of these codes, so CI logs and tests
can name it; the README lists them (a test keeps the list in step). Errors stop the run
with one line (exit code 2); warnings and notes go into the analysis and every view.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from .errors import ConfigError
from .model import Diagnostic


@dataclass(frozen=True)
class Message:
    """A diagnostic kind: its stable code, severity, one-line template and what it means."""

    code: str
    severity: str  # "error", "warning" or "info"
    template: str
    explanation: str

    def __call__(self, at: Optional[int] = None, **fields: Any) -> Diagnostic:
        """A warning or note about the analysed model, at a layer (or about the whole model)."""
        return Diagnostic(code=self.code, severity=self.severity, layer=at, message=self.template.format(**fields))

    def error(self, **fields: Any) -> ConfigError:
        """An error to raise (location fields are added by whoever knows them)."""
        return ConfigError(self.template.format(**fields), code=self.code)


CATALOGUE: dict[str, Message] = {}


class Note(str):
    """A note a cost model leaves on its layer, naming its own diagnostic code (otherwise the
    code follows the layer's origin)."""

    code = ""


def note(msg: "Message", text: str) -> Note:
    n = Note(text)
    n.code = msg.code
    return n


def _m(code: str, severity: str, template: str, explanation: str) -> Message:
    msg = Message(code, severity, template, explanation)
    CATALOGUE[code] = msg
    return msg


# -- the command line and its inputs
USAGE = _m("usage", "error", "{detail}", "The command line is malformed: an unknown option, a missing or "
           "malformed value; the message names the subcommand's --help.")
INPUT_IMGSZ = _m("input/imgsz", "error", "image size must be a positive int or H,W, got {value}",
                 "The image size given to analyze() or --imgsz is not a positive integer or pair.")
INPUT_BATCH = _m("input/batch", "error", "batch must be a positive integer, got {value}",
                 "The batch size is not a positive integer.")
INPUT_DTYPE = _m("input/dtype", "error", "dtype must be one of {choices}, got {value}",
                 "The element type for memory figures is not one yanalyze knows.")
OUTPUT = _m("output", "error", "{detail}", "An output file cannot be written (a directory, a missing "
            "folder, --svg without Graphviz); nothing is written then.")
# -- reading the file
PARSE_MISSING = _m("parse/missing", "error", "{detail}", "The config path does not exist or is a directory.")
PARSE_BINARY = _m("parse/binary", "error", "{detail}",
                  "The file is not UTF-8 text, or is too large to be a model config.")
PARSE_EMPTY = _m("parse/empty", "error", "empty file", "The config file holds nothing but whitespace.")
PARSE_YAML = _m("parse/yaml", "error", "malformed YAML{where}: {problem}",
                "The YAML parser rejected the file; the line and column are those it reports.")
PARSE_MAPPING = _m("parse/mapping", "error", "a model config is a YAML mapping (nc, anchors, backbone, head); "
                   "got {kind}", "The top level of the file is not a mapping.")
PARSE_SECTION = _m("parse/section", "error", "{detail}",
                   "backbone or head is missing, not a list, or both are empty.")
PARSE_VARIANT = _m("parse/variant", "error", "{detail}",
                   "The config has variant sections (backbone_small, ...) and none or an unknown one was picked "
                   "with --variant.")
PARSE_ROW = _m("parse/row", "error", "row must be [from, number, module, args] (4 items), got {row}",
               "A layer row does not have the four fields YOLOv5 expects.")
PARSE_SETTING = _m("parse/setting", "error", "{detail}", "A top-level setting (nc, depth_multiple, width_multiple, "
                   "ch, channel_multiple, anchors) has a value YOLOv5 could not use.")
PARSE_ACTIVATION = _m("parse/activation", "error", "unsupported activation {text}; known: {known}",
                      "The config's `activation` names no activation yanalyze knows.")
PARSE_CODE = _m("parse/code", "error", "{detail}", "A string in the YAML looks like Python code (a call, an "
                "attribute, an index). yanalyze never evaluates YAML; write numbers, symbols or plain arithmetic.")
PARSE_ARITH = _m("parse/arith", "error", "argument {value} is not simple arithmetic ({problem})",
                 "An argument is arithmetic that cannot be computed (division by zero, a huge power, a string).")
PARSE_MODULE = _m("parse/module", "error", "module must be a name, got {value}", "The module field is not a string.")
PARSE_UNKNOWN_MODULE = _m("parse/unknown-module", "error", "unknown module {name}; {hint}add it with a plugin "
                          "(--plugin FILE using @yanalyze.register), an installed package's 'yanalyze.modules' entry "
                          "point, or measure your torch class (--modules FILE); --allow-unknown passes it through "
                          "uncounted", "No built-in, plugin, entry point or traced class defines the module name.")
PARSE_NUMBER = _m("parse/number", "error", "number must be a positive integer, got {value}",
                  "The repeat count of a row is not a positive integer.")
PARSE_LIMIT = _m("parse/limit", "error", "{detail}", "A value is beyond what any model can have (a repeat count, "
                 "channels, image size, anchors, a feature map's size, YAML aliases expanding to too many values); "
                 "the limits are in analyzer/limits.py.")
PARSE_ARGS = _m("parse/args", "error", "{detail}", "A module's arguments do not fit its constructor or its "
                "channel rule (a missing channel count, a string where a number belongs).")
# -- the graph
GRAPH_FROM = _m("graph/from", "error", "{detail}", "A `from` entry is not an int or a list of ints, points "
                "forward, or is out of range; or a one-input module lists several inputs.")
GRAPH_SHAPE = _m("graph/shape", "error", "{detail}", "Shapes do not fit: inputs of different sizes joined, a "
                 "kernel larger than its input, channels that do not match, an impossible argument.")
GRAPH_CHANNELS = _m("graph/channels", "error", "{detail}",
                    "A channel-keeping module was given a channel count other than its input's.")
GRAPH_REPEAT = _m("graph/repeat", "error", "a multi-input module cannot repeat (number {n})",
                  "A module that reads several layers has a repeat count above 1.")
# -- extensions
PLUGIN_MISSING = _m("plugin/missing", "error", "no such plugin file", "--plugin names a file that does not exist.")
PLUGIN_ERROR = _m("plugin/error", "error", "plugin file failed to load: {error}",
                  "Importing a --plugin file raised an exception.")
PLUGIN_ENTRY_POINT = _m("plugin/entry-point", "error", "entry point {name} ({value}) failed to load: {error}",
                        "An installed package's 'yanalyze.modules' entry point raised when imported.")
MODULES_MISSING = _m("modules/missing", "error", "no such modules file",
                     "--modules names a file that does not exist.")
MODULES_ERROR = _m("modules/error", "error", "modules file failed to load: {error}",
                   "Importing a --modules file raised an exception.")
MODULES_TORCH = _m("modules/torch", "error", "--modules measures classes in torch, which is not installed: "
                   "pip install torch==2.13.0, or the verify extra from yanalyze's checkout: pip install -e '.[verify]'", "--modules needs torch, which is not installed.")
FORK_MISSING = _m("fork/missing", "error", "{detail}", "--repo names a directory that is not the root of a YOLOv5 "
                  "fork (no models/yolo.py), or its models/yolo.py cannot be read.")
FORK_TORCH = _m("fork/torch", "error", "--repo builds the fork's classes in torch, which is not installed: pip install "
                "torch==2.13.0, or the verify extra from yanalyze's checkout: pip install -e '.[verify]'",
                "--repo needs torch, which is not installed.")
FORK_IMPORT = _m("fork/import", "error", "importing the fork failed: {error}", "Importing the fork's models/yolo.py "
                 "(in its own process, with missing packages stubbed) raised; the message names the fork's file "
                 "and line.")
FORK_MODEL = _m("fork/model", "error", "the fork's own Model cannot build this config: {error}", "verify "
                "--crosscheck --repo builds the fork's whole Model with its own code to compare, and that raised; "
                "the message names the fork's file and line.")
FORK_TIMEOUT = _m("fork/timeout", "error", "{doing} did not finish within {seconds} s; the fork's process was "
                  "stopped (set {env} to wait longer)", "The fork's process hung at import or while building a "
                  "layer.")
VERIFY_TORCH = _m("verify/torch", "error", "verify needs torch, which is not installed: pip install torch==2.13.0, or the verify extra from yanalyze's checkout: pip install -e '.[verify]'",
                  "yanalyze verify builds models in torch, which is not installed.")
CALIBRATE_TORCH = _m("calibrate/torch", "error", "calibrate needs torch, which is not installed: pip install "
                     "torch==2.13.0, or the verify extra from yanalyze's checkout: pip install -e '.[verify]'",
                     "yanalyze calibrate times kernels in torch, which is not installed.")
DEVICE_PROFILE = _m("device/profile", "error", "--device {path}: {detail}",
                    "The --device value is neither a shipped datasheet name nor a readable profile that "
                    "`yanalyze calibrate` wrote (schema yanalyze-device/1).")
# -- rewrites and budgets
REWRITE_CHECK = _m("rewrite/check", "error", "the rewritten config does not check out: {problem}",
                   "The analysis of the rewritten config differs from what the rewrite promised; nothing is "
                   "written.")
BUDGET_FORMAT = _m("budget/format", "error", "{detail}",
                   "The budget file or a limit is malformed; the message names the key.")
BUDGET_UNIT = _m("budget/unit", "error", "{detail}", "A limit's number or unit cannot be read (7.5M, 16.5G, "
                 "300MB, 5% are fine).")
BUDGET_MISSING = _m("budget/missing", "error", "cannot read budget file ({error})",
                    "The --budget file cannot be read.")
# -- warnings and notes about an analysed model
NOTICE = _m("parse/notice", "info", "ignored keys: {keys}",
            "Top-level keys that YOLOv5 does not read either; they have no effect.")
LAYOUT_V1 = _m("parse/layout", "info", "YOLOv5 v1.0 layout: Detect reads layers {layers} (those with {no} "
               "channels), nn.Conv2d rows are conv-like and the default activation is LeakyReLU(0.1), as v1.0 "
               "built them", "A config in v1.0's layout ([[], 1, Detect, ...] after nn.Conv2d output rows) is "
               "analysed with v1.0's definitions.")
IMGSZ_ROUNDED = _m("input/imgsz-rounded", "warning", "image size {asked} is not a multiple of the max stride "
                   "{stride}; analysed at {used}, as YOLOv5 rounds it up",
                   "YOLOv5's check_img_size rounds each side up to a multiple of the largest stride; yanalyze "
                   "does the same and says so.")
FLOPS_PROBE = _m("flops/probe", "warning", "YOLOv5's {size}x{size} FLOPs probe fails here ({problem}); GFLOPs "
                 "are counted at the image size", "YOLOv5 measures GFLOPs on a small probe image, which this "
                 "model cannot take; the count at the image size is reported instead.")
UNUSED = _m("graph/unused", "warning", "layer {layer} ({module}) output is never used",
            "Nothing reads this layer's output: a dead branch still costs params and FLOPs.")
RF_EXCEEDS = _m("rf/exceeds-image", "info", "receptive field larger than the {h}x{w} image at {levels} px "
                "(part of every window is zero padding)", "Output levels whose receptive field is wider than "
                "the input; part of each window sees only padding.")
RF_BELOW_ANCHOR = _m("rf/below-anchor", "warning", "{level}: receptive field {rf} px is smaller than its largest "
                     "anchor ({anchor} px): an object that size is never seen whole at this level",
                     "An output level's receptive field (at an interior position) is narrower than the largest "
                     "anchor the config assigns to it, so the boxes it predicts for the largest objects rest on "
                     "part of the object; a deeper or wider-context neck, or smaller anchors, fix it.")
RF_FAR_BEYOND = _m("rf/far-beyond-image", "info", "receptive field at least {times}x the {side} px image side at "
                   "{levels} px: the deepest stages add context the image cannot supply",
                   "Even at its narrowest the level's receptive field spans several images; the deepest stages "
                   "mostly see zero padding, so a larger input or fewer stages would use them better; the "
                   "effective receptive field is much smaller than this theoretical one.")
PARTIAL = _m("totals/partial", "warning", "totals are partial: unknown layers {layers} count nothing",
             "--allow-unknown let layers through uncounted, so every total leaves them out.")
MODULE_UNKNOWN = _m("module/unknown", "warning", "layer {layer} ({module}): unknown module, no params or FLOPs "
                    "counted; {assumed}", "--allow-unknown: the layer counts nothing; its output channels and size "
                    "are assumed (the first argument width-scaled, or its input's; the size a later join needs), "
                    "and the message says which.")
NOT_ANALYSED = _m("module/not-analysed", "warning", "layer {layer} ({module}): not analysed: {why}; counted "
                  "nothing; {assumed}", "--allow-unknown: a known module that cannot be analysed here (its "
                  "arguments fit none of its built-in definitions, or no guess for the unknown layers before it "
                  "lets it run) is carried on as unknown (counts nothing, its output assumed) instead of "
                  "refusing the config.")
MODULE_TRACED = _m("module/traced", "warning", "layer {layer} ({module}): {note}",
                   "A class measured in torch (--modules, --repo) ran operations yanalyze cannot count; they are "
                   "left out.")
FORK_RULE = _m("fork/rule", "warning", "layer {layer} ({module}): {note}", "--repo: the fork's parse_model "
               "computes this row's channels in a way yanalyze cannot follow from its source (a call to the fork's "
               "own helper, an import); the message names the line and the rule assumed instead.")
FORK_BLOCKED = _m("fork/blocked", "warning", "importing the fork tried {what}: blocked", "--repo: the fork's code "
                  "tried to run a command, install a package or reach the network while it was imported; nothing "
                  "ran (os.system reports failure, the rest raise).")
MODULE_PLUGIN = _m("module/plugin", "warning", "layer {layer} ({module}): {note}",
                   "A plugin's cost model left a note about this layer.")
FORK_REDEFINES = _m("module/fork-redefines", "warning", "layer {layer} ({module}): the fork around this config "
                    "defines its own {what} ({where}), not {mine}, which these numbers follow; {how}",
                    "The config sits in a YOLOv5 fork (models/common.py beside or above it) whose own class of "
                    "this name, or a YOLOv5 class it builds on (Segment's Proto, C3's Bottleneck), differs from "
                    "the built-in definition used (read with ast, never run); "
                    "the fork's code may build other numbers.")
MODULE_DEFINITION = _m("module/definition", "info", "layer {layer} ({module}): {how} the '{variant}' definition "
                       "({source}); {choice}", "The module name has a named published definition (or several); "
                       "the numbers follow the one named, which a config's 'definitions:' or --define chooses.")

# -- design advice (with --device): each names a layer and its estimated saving on the profile
ADVICE_CHANNELS = _m("advice/unequal-channels", "info", "layer {layer} ({module}): 1x1 conv(s) {detail} have unequal "
                     "input and output widths; equal widths do the same FLOPs with less memory access, {ms} ms "
                     "less (ShuffleNetV2 G1)", "ShuffleNetV2 G1: for a 1x1 convolution with fixed FLOPs, memory "
                     "access cost is lowest when input and output channels are equal. Flagged from a width ratio "
                     "of 2 (a head's convs are left out: the task sets their width). The saving is the conv's "
                     "time less that of the same FLOPs and weights at equal widths sqrt(c1 x c2).")
ADVICE_GROUPS = _m("advice/group-mac", "info", "layer {layer} ({module}): grouped conv(s) {detail} spend {share} "
                   "of their time on memory and call overhead; at the dense convs' rate the same FLOPs take {ms} ms "
                   "less (ShuffleNetV2 G2)", "ShuffleNetV2 G2: many groups cut FLOPs but not memory access, so a "
                   "grouped convolution runs at a low FLOP rate. The saving is its time above the rate the "
                   "model's dense convolutions attain on the profile, for the same FLOPs.")
ADVICE_FRAGMENTS = _m("advice/fragmentation", "info", "layer {layer} ({module}): {calls} kernel calls for "
                      "{gflops} GFLOPs, per-call overhead {share} of its time; the {extra} calls beyond one per "
                      "conv cost {ms} ms (ShuffleNetV2 G3)",
                      "ShuffleNetV2 G3: a block split into many small branches and ops cuts parallelism; each "
                      "kernel call pays a fixed overhead. The saving is the overhead of the calls beyond one per "
                      "convolution (a batch norm that Conv+BN folding removes counts in advice/fuse-bn instead).")
ADVICE_ELEMENTWISE = _m("advice/elementwise", "info", "element-wise kernels (activations, adds, batch norms, "
                        "copies, upsampling) take {share} of the time ({ms} ms) for {flops_share} of the FLOPs; "
                        "running each conv's activation inside it saves {saving} ms (ShuffleNetV2 G4)",
                        "ShuffleNetV2 G4: element-wise operations have few FLOPs but real memory time. Given once "
                        "for the whole model when they take 15% of its time or more. The saving is the time of the "
                        "activations and unfolded batch norms that directly follow a conv, which a runtime fusing "
                        "conv, batch norm and activation into one kernel removes beyond model.fuse().")
ADVICE_DEPTHWISE = _m("advice/depthwise-memory-bound", "info", "layer {layer} ({module}): depth-wise conv(s) "
                      "{detail} are memory-bound at {rate} GFLOP/s, {pct} of the {dense} GFLOP/s the dense convs "
                      "reach here; {ms} ms above the dense rate (FasterNet)",
                      "FasterNet: depth-wise convolutions have few FLOPs but access memory often, so their FLOP rate "
                      "is low and fewer FLOPs do not mean less time; a partial convolution (PConv) keeps the FLOP "
                      "rate. The saving is their time above the rate the model's dense convolutions attain on the "
                      "profile, for the same FLOPs.")
ADVICE_MEMORY_BOUND = _m("advice/memory-bound", "info", "layer {layer} ({module}): memory-bound, {share} of its "
                         "{total} ms moves {mb} MB; its kernels spend {ms} ms more moving bytes than computing",
                         "The layer's estimated time "
                         "is mostly moving bytes rather than arithmetic; fewer or smaller intermediate maps (fusing, "
                         "a narrower expansion) save more than fewer FLOPs. Given for layers with 1% of the time or "
                         "more that advice/group-mac or advice/depthwise-memory-bound does not already explain. The "
                         "saving is, kernel by kernel, the memory time above the compute time.")
ADVICE_REWRITE = _m("advice/rewrite", "info", "layer {layer}: {title} is exact and saves {ms} ms on this device",
                    "An equivalence rewrite applies (Focus -> 6x6 Conv, SPP -> SPPF); `yanalyze rewrite` writes the "
                    "config with it and `yanalyze verify` proves it. The saving is the layer's estimated time less "
                    "that of the rewritten form's own kernels on the same profile.")
ADVICE_FUSE = _m("advice/fuse-bn", "info", "Conv+BN folding (model.fuse()) removes {count} batch-norm kernels: "
                 "{ms} ms ({share})", "YOLOv5 folds each Conv's BatchNorm into its weights for inference; the "
                 "folded model runs one kernel fewer per Conv. The saving is those kernels' estimated time.")
