// An SNS subscriber (SAM SNS event): receives every notification published by POST /notify.
export const handler = async (event) => {
  for (const record of event.Records) console.log(`notification ${record.Sns.MessageId}: ${record.Sns.Message}`);
};
