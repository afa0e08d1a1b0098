"""Our bridge to django-allauth: phone numbers live on CustomerAccount, SMS goes through SMS_URL."""

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext as _

from config.client_ip import client_ip
from customers.models import CustomerAccount, User
from customers.sms import send_sms


class ChairtimeAccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        return client_ip(request)  # allauth's rate limits count clients as everything else does

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        account = CustomerAccount.objects.get(user=user)
        account.phone, account.phone_verified = phone, verified
        account.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: User) -> tuple[str, bool] | None:
        account = CustomerAccount.objects.filter(user=user).first()
        return (account.phone, account.phone_verified) if account and account.phone else None

    def set_phone_verified(self, user: User, phone: str) -> None:
        CustomerAccount.objects.filter(user=user, phone=phone).update(phone_verified=True)

    def get_user_by_phone(self, phone: str) -> User | None:
        """Only a number verified on exactly one account identifies someone."""
        accounts = list(CustomerAccount.objects.filter(phone=phone, phone_verified=True).select_related("user")[:2])
        return accounts[0].user if len(accounts) == 1 else None

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        # In the language of the page or API call that asked for the code.
        message = _("Your Chairtime code is %(code)s. It expires in a few minutes. Never share it.")
        send_sms(phone, message % {"code": code})
