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
