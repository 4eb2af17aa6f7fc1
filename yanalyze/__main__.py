"""python -m yanalyze"""
import sys

from .cli import main

sys.exit(main())
