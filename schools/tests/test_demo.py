from accounts.demo import seed_demo as seed_accounts
from schools.demo import seed_demo
from schools.models import AnswerStatus, NeedsAnswer, NeedsRound, School


def test_seed_demo_is_idempotent_and_mixes_answers(db):
    seed_accounts()
    seed_demo()
    counts = (School.objects.count(), NeedsRound.objects.count(), NeedsAnswer.objects.count())
    seed_demo()
    assert (
        School.objects.count(),
        NeedsRound.objects.count(),
        NeedsAnswer.objects.count(),
    ) == counts
    needs_round = NeedsRound.objects.get(municipality__code="GM0687")
    statuses = set(needs_round.answers.values_list("status", flat=True))
    assert statuses == {AnswerStatus.SUBMITTED, AnswerStatus.DRAFT}
    assert School.objects.filter(municipality__code="GM0687").count() > needs_round.answers.count()
    assert School.objects.filter(board__number="41001", municipality__code="GM0718").exists()
    assert set(School.objects.values_list("sector", flat=True)) == {"po", "vo", "so"}
