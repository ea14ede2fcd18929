# Written as the official tutorial's worker.py (rabbitmq-tutorials, python/), with
# AMQP_URL instead of localhost and a dot worth WORK_SECOND_MS, as in our worker.
import os
import time

import pika

WORK_SECOND = int(os.environ.get("WORK_SECOND_MS", "1000")) / 1000

connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()

channel.queue_declare(queue="task_queue", durable=True, arguments={"x-queue-type": "quorum"})
print(" [*] Waiting for messages. To exit press CTRL+C")


def callback(ch, method, properties, body):
    print(f" [x] Received {body.decode()}")
    time.sleep(body.count(b".") * WORK_SECOND)
    print(" [x] Done")
    ch.basic_ack(delivery_tag=method.delivery_tag)


channel.basic_qos(prefetch_count=1)
channel.basic_consume(queue="task_queue", on_message_callback=callback)

# As the official programs do: Ctrl+C ends the program quietly, exit 0.
try:
    channel.start_consuming()
except KeyboardInterrupt:
    print("Interrupted")
    connection.close()
