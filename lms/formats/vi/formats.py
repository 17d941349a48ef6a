# Django's Vietnamese formats leave numbers ungrouped; the province writes 11.300 and 1.349.
NUMBER_GROUPING = 3
