from tests.factories import PASSWORD


def test_home_page_in_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "物业" in response.get_data(as_text=True)


def test_sign_in_and_dashboard(client, make_user, login):
    user = make_user()
    login(user)
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert user.name in response.get_data(as_text=True)


def test_pages_with_personal_answers_are_never_stored(client, app_ctx):
    for path in ("/auth/login", "/auth/reset", "/register/organisation", "/register/account"):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", path


def test_production_answers_carry_hsts(app, client):
    previous = app.config.get("HSTS_SECONDS")
    app.config["HSTS_SECONDS"] = 31536000
    try:
        assert client.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    finally:
        app.config["HSTS_SECONDS"] = previous
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_production_has_hsts_by_default():
    from config import BaseConfig, ProductionConfig

    assert ProductionConfig.HSTS_SECONDS == 365 * 24 * 3600 and BaseConfig.HSTS_SECONDS == 0
