from reporting.demo import seed_demo
from reporting.models import AccountabilityReport


def test_the_demo_report_is_queued_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = seed_demo()
    assert "NPO-GM0687-2022-v1" in first
    assert AccountabilityReport.objects.get().status == "klaar"
    assert "bestond al" in seed_demo()
    assert AccountabilityReport.objects.count() == 1
