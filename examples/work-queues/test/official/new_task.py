# Written as the official tutorial's new_task.py (rabbitmq-tutorials, python/): the
# same declaration and plain-text body, with AMQP_URL instead of localhost.
import os
import sys

import pika

connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()

channel.queue_declare(queue="task_queue", durable=True, arguments={"x-queue-type": "quorum"})

message = " ".join(sys.argv[1:]) or "Hello World!"
channel.basic_publish(
    exchange="",
    routing_key="task_queue",
    body=message,
    # pika.DeliveryMode.Persistent in pika 1.3; Debian 12 has pika 1.2.
    properties=pika.BasicProperties(delivery_mode=pika.spec.PERSISTENT_DELIVERY_MODE),
)
print(f" [x] Sent {message}")

connection.close()
