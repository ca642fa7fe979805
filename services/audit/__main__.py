from saphan_runtime.service_app import serve
from services.audit.bootstrap import bootstrap

serve(bootstrap())
