import { CallHandler, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { Observable } from 'rxjs';
import { asBulkWork } from '@app/infrastructure';

@Injectable()
class BulkWorkInterceptor implements NestInterceptor {
  intercept(_context: unknown, next: CallHandler): Observable<unknown> {
    // The handler runs when subscribed to: subscribing inside asBulkWork puts all its statements there.
    return new Observable((subscriber) => asBulkWork(() => next.handle().subscribe(subscriber)));
  }
}

/** Marks a route whose database work is bulk (over all users): its statements get the bulk deadline. */
export const BulkWork = () => UseInterceptors(BulkWorkInterceptor);
