from saphan_runtime.service_app import serve
from services.referral.bootstrap import bootstrap

serve(bootstrap())
