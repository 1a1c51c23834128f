from . import controllers
from . import models
from . import wizards
from .tools import log_privacy

# failed SQL statements are logged without their values (buyers' data)
log_privacy.install()
