"""clinic-reviews: patient reviews for clinic chains, from platform to morning digest."""

__version__ = "0.1.0"
