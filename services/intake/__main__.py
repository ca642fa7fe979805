from saphan_runtime.service import serve
from services.intake.bootstrap import bootstrap

serve(bootstrap())
