"""Rule sets: the model (:mod:`.model`) and the YAML loader (:mod:`.loader`)."""

from scoring.rules.loader import check_rules, load_rules, load_variant
from scoring.rules.model import RuleSet

__all__ = ["RuleSet", "check_rules", "load_rules", "load_variant"]
