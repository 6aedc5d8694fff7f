"""`{% load inr %}` then `{{ amount|inr }}` (₹3,39,578.81) or `{{ amount|inr_short }}` (₹3.40 L)."""

from django import template

from apps.core import inr as formats

register = template.Library()

register.filter("inr", formats.inr, is_safe=True)
register.filter("inr_short", formats.inr_short, is_safe=True)
