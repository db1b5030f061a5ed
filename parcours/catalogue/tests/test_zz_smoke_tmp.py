import pytest
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions
from parcours.catalogue.models import Module
from parcours.catalogue.search import search_modules

def test_smoke(coordinator, org, client, django_assert_max_num_queries):
    a = Actor.of(coordinator)
    m = actions.create_module(actor=a, organisation=org, data={"code": "EVAL-1", "title_fr": "Évaluation numérique", "summary_fr": "Les évaluations en ligne", "duration_hours": "12"})
    m2 = actions.create_module(actor=a, organisation=org, data={"code": "IOT", "title_fr": "Internet des objets", "summary_fr": "Capteurs", "duration_hours": 6})
    actions.publish_module(actor=a, module=m)
    qs = search_modules(Module.objects.all(), "evaluation")
    print(qs.query)
    print(list(qs.values_list("code", "search_rank")))
    print(list(search_modules(Module.objects.all(), 'numeri').values_list("code", flat=True)))
    print(list(search_modules(Module.objects.all(), '" * AND( evaluations').values_list("code", flat=True)))
    print(list(search_modules(Module.objects.all(), 'modul -objets').values_list("code", flat=True)))
    print(list(Module.objects.filter(pk__in=search_modules(Module.objects.all(), "évaluation").values("pk"))))
    r = client.get("/catalogue/?q=evaluation")
    print(r.status_code, r.content.decode()[-3000:])
    r = client.get("/catalogue/technofutur-tic/EVAL-1/")
    print(r.status_code)
    r = client.get("/api/v1/modules?q=numerique")
    print(r.status_code, r.json())
