"""One frame in, one result record out: decode, locate, face, find the address block, OCR, check, decide.

Pure Python, OpenCV, Tesseract and torch inference; never imports ray.
"""
