"""Lift: a symptom journal for people in treatment for treatment-resistant depression."""
