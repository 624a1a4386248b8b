from finance.models import Expenditure


def test_smoke(api, world):
    response = api(
        "post",
        "/api/v1/uitgaven/",
        {
            "datum": "2023-03-01",
            "bedrag": "750.00",
            "bestedingsdoel": "bovenschools",
            "omschrijving": "Zomerschool",
        },
    )
    print(response.status_code, response.json())
    response = api("get", "/api/v1/uitgaven/")
    print(response.status_code, response.json())
    response = api(
        "post",
        "/api/v1/uitgaven/bulk/",
        {
            "rijen": [
                {
                    "datum": "2023-13-01",
                    "bedrag": "750.001",
                    "bestedingsdoel": "x",
                    "omschrijving": "Z",
                },
                {"datum": "2019-01-01", "bedrag": "1", "bestedingsdoel": "x", "omschrijving": "Z"},
            ]
        },
    )
    print(response.status_code, response["Content-Type"], response.json())
    print(api("get", "/api/v1/totalen/").json())
    print(api("get", "/api/v1/totalen/", secret="npo_bad").json())
    assert Expenditure.objects.count() == 1
