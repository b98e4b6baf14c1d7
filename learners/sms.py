"""Text messages to residents (workshop reminders, cancel links), through a provider the
town configures (settings.SMS_BACKEND): a class with send_messages([SmsMessage]) -> int.

- ConsoleBackend (default): prints the messages, so that the demo needs no account;
- LocmemBackend: keeps them in `learners.sms.outbox` (tests);
- HttpBackend: posts each message as JSON to SMS_API_URL with SMS_API_KEY as a bearer
  token, the shape most providers' gateways accept (or a small relay in front of one)."""

import dataclasses
import json
import sys
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

outbox = []


@dataclasses.dataclass
class SmsMessage:
    to: str
    body: str


class ConsoleBackend:
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send_messages(self, messages):
        for message in messages:
            self.stream.write(f"SMS to {message.to}:\n{message.body}\n{'-' * 40}\n")
        self.stream.flush()
        return len(messages)


class LocmemBackend:
    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)


class HttpBackend:
    timeout = 10

    def send_messages(self, messages):
        sent = 0
        for message in messages:
            request = urllib.request.Request(
                settings.SMS_API_URL,
                data=json.dumps(
                    {"from": settings.SMS_SENDER, "to": message.to, "text": message.body}
                ).encode(),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {settings.SMS_API_KEY}",
                },
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=self.timeout):  # noqa: S310 (configured URL)
                sent += 1
        return sent


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(to, body):
    return get_backend().send_messages([SmsMessage(to=to, body=body)])
