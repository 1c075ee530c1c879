import pytest
from zhishui.reform.models import *
from zhishui.reform import services
pytestmark = pytest.mark.django_db
def test_x(plan):
    print(Task.objects.count(), Deliverable.objects.count(), Assignment.objects.count(), Unit.objects.count(), plan.start_on, plan.established_on, plan.deputy_leaders)
    r = services.load_plan_into_db("610303")
    print(r.created, r.updated, r.kept)
    assert not r.changed
