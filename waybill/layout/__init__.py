"""Laying orders out on templates: text fitting, pick-list tables, barcodes, as marks on a dot grid."""

DPI_CHOICES = (203, 300)  # the print-head resolutions labels are laid out for
