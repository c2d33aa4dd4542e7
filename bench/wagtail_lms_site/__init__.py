"""A minimal Wagtail project running wagtail-lms, the other side of issue 9's comparison.

It runs only from ``.venv-wagtail-lms`` (see ``bench/lms_compare.py``), never from ours.
"""
