"""The labelling core: what a label is, what may be written, and what "the same label" means.

Every writer (the annotate screen, label import, adjudication, codebook migrations) and every
reader (review, agreement, export, status) goes through these modules; none re-implements them.
"""
