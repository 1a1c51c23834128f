"""TikTok Shop Partner API client (see :mod:`.client`)."""

from .client import *
