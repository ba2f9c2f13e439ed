from django.apps import AppConfig


class KeysConfig(AppConfig):
    name = "crsv.keys"
    label = "keys"
    verbose_name = "Encryption keys"
