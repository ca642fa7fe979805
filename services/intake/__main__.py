from saphan_runtime.service_app import serve
from services.intake.bootstrap import bootstrap

serve(bootstrap())
