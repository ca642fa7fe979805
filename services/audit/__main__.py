from saphan_runtime.service import serve
from services.audit.bootstrap import bootstrap

serve(bootstrap())
