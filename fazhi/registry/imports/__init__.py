"""The validate-first import pipeline (see ``base``) and its two lists."""
